--[[
  Takes `cost` actions at once from a client's rate-limit bucket, or none. A bucket holds `limit`
  actions and refills evenly over the window (one every window / limit). Written as GCRA with a
  weight: the key holds one number, the time at which the bucket will be full again, so a client
  costs one small key however high the limit; it expires when the bucket is full. The clock is
  Redis's own, so instances whose clocks disagree still agree on every bucket.

  Input:
    KEYS[1] the client's bucket (STRING)

    ARGV[1] limit: actions one client may take at once
    ARGV[2] the window, in milliseconds
    ARGV[3] cost: actions to take now

  Output:
    { 1, 0 } when they were taken; { 0, milliseconds until they could be } when they were not
    (a cost above the limit is never taken)

  Events:
    none
]]

local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local interval = window / limit
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local full = tonumber(redis.call('GET', KEYS[1]) or '0')
if full < now then full = now end
local after = full + interval * cost
if after - now > window then
  return { 0, math.ceil(after - window - now) }
end
redis.call('SET', KEYS[1], string.format('%.3f', after), 'PX', math.ceil(after - now))
return { 1, 0 }
