--[[
  Creates a task's record, QUEUED, and puts it in its list indexes. Its sort key (creation time,
  then a counter for the tasks created in the same millisecond, then the id) orders the indexes and
  is the lists' cursor.

  With an idempotency key (ARGV[13] not ''), the key's entry (KEYS[6], see includes/idempotency.lua)
  names the first task created with it and a digest of what that create asked for: the same request
  again answers that task and creates nothing; another request is refused while that task lives or
  an admitted operation holds the key. A key whose task is gone (deleted, expired) is taken by the
  new task, whatever it asks for. The first task's record must be in KEYS, so a caller that does not
  know its id is answered it first (LOOKUP), and calls again with its record as KEYS[7].

  Input:
    KEYS[1] the task's record (HASH)
    KEYS[2] the creation counter (STRING)
    KEYS[3] the task's channel
    KEYS[4] the all-tasks channel
    KEYS[5] the task's timeline (LIST), see includes/timeline.lua
    KEYS[6] the idempotency key's entry (STRING), not touched without one
    KEYS[7] the record of the task the caller thinks the key names (ARGV[15]); KEYS[1] for none
    KEYS[8] the delayed tasks of its kind (ZSET), for a task with a start time
    KEYS[9] the partition's waiting set (ZSET), see includes/waiting.lua
    KEYS[10..21] the task's list indexes (ZSET), see includes/indexes.lua
    KEYS[22..33] the owner's list indexes (ZSET), only for a task with an owner

    ARGV[1] the time, in milliseconds
    ARGV[2] the task's name (its kind)
    ARGV[3] its owner, '' for none
    ARGV[4] its id
    ARGV[5] its time to live once finished, in milliseconds
    ARGV[6] its total number of steps
    ARGV[7] its input, as JSON
    ARGV[8] the id of the task it retries, '' for none
    ARGV[9] the time it starts no earlier than, in milliseconds, '' for at once
    ARGV[10] its priority (1 first), '' for none
    ARGV[11] its own time limit, in seconds, '' for the worker's
    ARGV[12] the schedule that made it, '' for none
    ARGV[13] the digest of the request, for an idempotent create; '' for none
    ARGV[14] how long the idempotency key is kept, in milliseconds
    ARGV[15] the id of the task the caller thinks the key names (KEYS[7]), '' for none
    ARGV[16] whom it waits for, as counted in KEYS[9] (core/waiting.ts), '' for no one
    ARGV[17] the waiting tasks that one may have in this partition at most, '' for no bound

  Output:
    { 'CREATED', record } with the new record as HGETALL answers it; { 'EXISTING', record } with the
    record of the task an idempotency key already names; { 'LOOKUP', id } when that task is not the
    one of KEYS[7]; { 'CONFLICT', id } when the key is another request's; { 'TOO_MANY_WAITING', count }
    when its waiter has ARGV[17] waiting tasks here already (nothing is created); an error when the
    task exists

  Events:
    the whole record on KEYS[3] (the task's channel) and KEYS[4] (all tasks), when it was created
]]
--- @include "includes/idempotency"
--- @include "includes/indexes"
--- @include "includes/publish"
--- @include "includes/timeline"

local at = { record = KEYS[1], taskChannel = KEYS[3], allChannel = KEYS[4], timeline = KEYS[5], waiting = KEYS[9],
  indexes = 10 }
local idempotencyKey, request = KEYS[6], ARGV[13]
local now = tonumber(ARGV[1])

if request ~= '' then
  local digest, firstId, heldUntil = readIdempotencyKey(idempotencyKey)
  if digest then
    if firstId ~= ARGV[15] then return { 'LOOKUP', firstId } end
    local first = liveTask(KEYS[7], now)
    if digest == request and first then return { 'EXISTING', first } end
    if digest ~= request and (first or heldUntil > now) then return { 'CONFLICT', firstId } end
  end
end

if redis.call('EXISTS', at.record) == 1 then return redis.error_reply('ERR task exists') end
local waiter, maxWaiting = ARGV[16], tonumber(ARGV[17])
if waiter ~= '' and maxWaiting then
  local waiting = tonumber(redis.call('ZSCORE', at.waiting, waiter) or '0')
  if waiting >= maxWaiting then return { 'TOO_MANY_WAITING', tostring(waiting) } end
end
local counter = redis.call('INCR', KEYS[2]) % 1000000
local sortKey = string.format('%015d:%06d:%s', now, counter, ARGV[4])
local fields = { 'id', ARGV[4], 'name', ARGV[2], 'state', 'QUEUED', 'sortKey', sortKey, 'ttl', ARGV[5],
  'total', ARGV[6], 'input', ARGV[7], 'current', '0', 'progress', '0', 'attempts', '0', 'createdAt', ARGV[1], 'seq', '0' }
-- The fields a task may leave out, by their ARGV.
for field, value in pairs({ owner = ARGV[3], retryOf = ARGV[8], runAt = ARGV[9], priority = ARGV[10],
  timeout = ARGV[11], scheduleId = ARGV[12], waiter = waiter }) do
  if value ~= '' then
    table.insert(fields, field)
    table.insert(fields, value)
  end
end
redis.call('HSET', at.record, unpack(fields))
if ARGV[9] ~= '' then redis.call('ZADD', KEYS[8], ARGV[9], ARGV[4]) end
if request ~= '' then redis.call('SET', idempotencyKey, request .. ' ' .. ARGV[4], 'PX', ARGV[14]) end
addEvent(at, now, 1, { state = 'QUEUED', message = ARGV[9] ~= '' and 'waits until its start time' or nil })
for _, index in ipairs(allIndexes(at, 'QUEUED')) do redis.call('ZADD', index, 0, sortKey) end
countWaiting(at, waiter, 1)
return { 'CREATED', publishChange(at) }
