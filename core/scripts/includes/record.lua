--[[
  A task's record, its Redis hash, as a Lua table.
]]

local function tableOf(flat)
  local task = {}
  for i = 1, #flat, 2 do task[flat[i]] = flat[i + 1] end
  return task
end

-- The record as a table, read once; nil for an unknown task.
local function readTask(key)
  local flat = redis.call('HGETALL', key)
  if #flat == 0 then return nil end
  return tableOf(flat)
end

local function isTerminal(state)
  return state == 'COMPLETED' or state == 'FAILED' or state == 'CANCELLED'
end
