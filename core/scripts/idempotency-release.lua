--[[
  Gives back an idempotency key an operation held (idempotency-hold.lua) once the operation has
  run or been refused: the entry goes back to what it was, unless it has changed since (the
  operation's create, or another's, wrote it), in which case it is left as it is.

  Input:
    KEYS[1] the key's entry (STRING), see includes/idempotency.lua

    ARGV[1] the entry as the hold wrote it
    ARGV[2] the entry as it was before, '' for none

  Output:
    1 when the entry was given back, 0 when it had changed

  Events:
    none
]]

if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
end
return 1
