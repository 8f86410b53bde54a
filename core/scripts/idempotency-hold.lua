--[[
  Holds an idempotency key for an operation that was admitted to create with it, before any of the
  operation runs: until ARGV[4], no create of another request takes the key, so the operation's
  own create cannot meet a CONFLICT after the fields before it have run. A key that is another
  request's (its task lives, or another operation holds it) is refused and left as it is. A free key
  is held for the task the operation will create (ARGV[3]); a key of the same request keeps its
  task, which the operation's create will answer (or replace, if it is gone by then). The hold ends
  when the operation's create writes the key, or when idempotency-release.lua gives it back.

  Input:
    KEYS[1] the key's entry (STRING), see includes/idempotency.lua
    KEYS[2] the record of the task the caller thinks the key names (ARGV[5]); any task's for none

    ARGV[1] the time, in milliseconds
    ARGV[2] the digest of the request
    ARGV[3] the id of the task the operation will create
    ARGV[4] the time the hold ends, in milliseconds
    ARGV[5] the id of the task the caller thinks the key names (KEYS[2]), '' for none

  Output:
    { 'HELD', id, written, previous }: the task the key names now, the entry as written and as it
    was ('' for none), for idempotency-release.lua; { 'LOOKUP', id } when the key names a task that
    is not the one of KEYS[2]; { 'CONFLICT', id } when the key is another request's

  Events:
    none
]]
--- @include "includes/idempotency"

local key, request, newId, heldUntil = KEYS[1], ARGV[2], ARGV[3], ARGV[4]
local now = tonumber(ARGV[1])

local digest, taskId, othersHold, entry = readIdempotencyKey(key)
if digest then
  if taskId ~= ARGV[5] then return { 'LOOKUP', taskId } end
  if digest == request then
    local written = request .. ' ' .. taskId .. ' ' .. heldUntil
    redis.call('SET', key, written, 'KEEPTTL')
    return { 'HELD', taskId, written, entry }
  end
  if othersHold > now or liveTask(KEYS[2], now) then return { 'CONFLICT', taskId } end
end
-- A free key, held no longer than the hold: the operation's create writes it for as long as keys are kept.
local written = request .. ' ' .. newId .. ' ' .. heldUntil
redis.call('SET', key, written, 'PXAT', heldUntil)
return { 'HELD', newId, written, '' }
