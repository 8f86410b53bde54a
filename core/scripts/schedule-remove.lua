--[[
  Forgets a task schedule: its record and its place in the indexes. The tasks it created stay.

  Input:
    KEYS[1] the schedule's record (HASH)
    KEYS[2] the partition's schedules (ZSET of ids, by creation time)
    KEYS[3] the owner's schedules (ZSET of ids, by creation time)

    ARGV[1] its id
    ARGV[2] its owner, '' for none: the owner KEYS[3] belongs to

  Output:
    1 when it was removed; 0 when there was no such schedule; an error when its owner is not ARGV[2]

  Events:
    none
]]

local record, all, owned = KEYS[1], KEYS[2], KEYS[3]
if redis.call('EXISTS', record) == 0 then return 0 end
if (redis.call('HGET', record, 'owner') or '') ~= ARGV[2] then
  return redis.error_reply('ERR the schedule has another owner')
end
redis.call('DEL', record)
redis.call('ZREM', all, ARGV[1])
redis.call('ZREM', owned, ARGV[1])
return 1
