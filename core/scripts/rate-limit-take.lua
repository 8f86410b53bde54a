--[[
  Takes `cost` actions at once from a client's rate-limit bucket, or none. A bucket holds `limit`
  actions and refills evenly over the window (`limit` every window). The clock is Redis's own, so
  instances whose clocks disagree still agree on every bucket; a client costs one small key however
  high the limit, and it expires when the bucket is full again.

  Every number is a whole one, as Lua's are doubles: a time in epoch milliseconds (about 2^41)
  leaves no room for a fraction such as 60,000 ms / 10^9 actions. The key holds what the bucket
  lacks (`spent`, whole actions), the part of an action refilled since (`carry`, in 1/window of an
  action) and the time of both. Each millisecond refills limit / window actions, which is `whole`
  actions and `part`/window of one: elapsed * part stays below window^2, about 2^53 at the longest
  window (24 h), so every step is exact over the whole range of limits (1 to 10^9) and windows.

  Input:
    KEYS[1] the client's bucket (STRING `spent:carry:at`)

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
local whole = math.floor(limit / window)
local part = limit % window

local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)

-- No key, or one from another version of this script: a full bucket.
local spent, carry, at = 0, 0, now
local stored = redis.call('GET', KEYS[1])
if stored then
  local s, c, a = string.match(stored, '^(%d+):(%d+):(%d+)$')
  if s then spent, carry, at = tonumber(s), tonumber(c), tonumber(a) end
end

-- A clock that went back (a failover to another machine) refills nothing until it catches up.
local elapsed = math.max(0, now - at)
if elapsed >= window then
  spent, carry = 0, 0
else
  local units = carry + elapsed * part
  spent = spent - elapsed * whole - math.floor(units / window)
  carry = units % window
  if spent <= 0 then spent, carry = 0, 0 end
end
at = math.max(at, now)

-- Milliseconds until `actions` more have been refilled (approximate: it is only advice).
local function refillMs(actions)
  return math.ceil((actions * window - carry) / limit)
end

if spent + cost > limit then
  return { 0, math.max(1, refillMs(spent + cost - limit)) }
end
spent = spent + cost
-- Kept until the bucket is full again (a millisecond more for rounding), never past the window.
local ttl = math.min(window, refillMs(spent) + 1)
redis.call('SET', KEYS[1], string.format('%d:%d:%d', spent, carry, at), 'PX', ttl)
return { 1, 0 }
