--[[
  Creates a task schedule's record and puts it in its partition's index and in its owner's, in the
  slot held for it (schedule-hold.lua) or, without one, unless the owner's schedules and held
  slots are as many as one owner may have. Every schedule of one owner is in the same partition
  (see scheduleOwner in core/keys.ts), so the count and the create are one step.

  Input:
    KEYS[1] the schedule's record (HASH)
    KEYS[2] the partition's schedules (ZSET of ids, by creation time)
    KEYS[3] the owner's schedules (ZSET of ids, by creation time)
    KEYS[4] the owner's held slots (ZSET of schedule ids, by the time each hold ends)

    ARGV[1] the time, in milliseconds
    ARGV[2] its id
    ARGV[3] the kind of task it creates
    ARGV[4] the tasks' input, as JSON
    ARGV[5] its cron expression, '' for none
    ARGV[6] its interval in seconds, '' for none
    ARGV[7] the time zone of its cron expression, '' for none
    ARGV[8] its owner, '' for none
    ARGV[9] how long each of its tasks is kept once finished, in milliseconds
    ARGV[10] the most schedules one owner may have
    ARGV[11] the client whose creation allowance its runs take from

  Output:
    { 'CREATED', 0 }; { 'FULL', count } when no slot was held for it and the owner has ARGV[10]
    or more schedules and held slots already; an error when the schedule exists

  Events:
    none
]]

local record, all, owned, held = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
-- A slot held for it is its own even past the hold's end: until someone drops it, everyone counts it.
if redis.call('ZREM', held, ARGV[2]) == 0 then
  redis.call('ZREMRANGEBYSCORE', held, '-inf', ARGV[1])
  local count = redis.call('ZCARD', owned) + redis.call('ZCARD', held)
  if count >= tonumber(ARGV[10]) then return { 'FULL', count } end
end
if redis.call('EXISTS', record) == 1 then return redis.error_reply('ERR schedule exists') end

local fields = { 'id', ARGV[2], 'kind', ARGV[3], 'input', ARGV[4], 'ttl', ARGV[9], 'createdAt', ARGV[1], 'client', ARGV[11] }
-- The fields a schedule may leave out, by their ARGV.
for field, value in pairs({ cron = ARGV[5], every = ARGV[6], timezone = ARGV[7], owner = ARGV[8] }) do
  if value ~= '' then
    table.insert(fields, field)
    table.insert(fields, value)
  end
end
redis.call('HSET', record, unpack(fields))
redis.call('ZADD', all, ARGV[1], ARGV[2])
redis.call('ZADD', owned, ARGV[1], ARGV[2])
return { 'CREATED', 0 }
