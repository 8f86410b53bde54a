--[[
  A script that moves a task between its list indexes gets them in KEYS, built for the name and
  the owner in ARGV[2] and ARGV[3] ('' for none). A record of another name or owner (an owner the
  caller guessed, a job renamed outside the service) is in other indexes: the script then changes
  nothing and answers { 'WRONG_REF', name, owner } with the record's own, and the caller asks
  again with the right keys (core/task-store.ts).
]]

-- The answer to give instead of changing the task, or nil when the keys are the task's own.
local function wrongRef(name, owner)
  owner = owner or ''
  if name ~= ARGV[2] or owner ~= ARGV[3] then return { 'WRONG_REF', name, owner } end
  return nil
end
