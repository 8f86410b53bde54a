--[[
  A task's list indexes are the last entries of KEYS, from position `at.indexes` on, as
  taskIndexes() in core/keys.ts builds them: 12 for all tasks, then 12 more under the task's owner
  when it has one. Each 12 in this order:
    order: all, name, state:QUEUED, state:ACTIVE, state:COMPLETED, state:FAILED, state:CANCELLED, name:state:QUEUED, name:state:ACTIVE, name:state:COMPLETED, name:state:FAILED, name:state:CANCELLED
  Every member is the task's sort key, with score 0, so that an index reads in creation order.
  A move into or out of QUEUED is counted in the partition's waiting set too (includes/waiting.lua).
]]
--- @include "waiting"

local INDEXES_PER_SCOPE = 12
local STATE_OFFSETS = { QUEUED = 0, ACTIVE = 1, COMPLETED = 2, FAILED = 3, CANCELLED = 4 }

-- The indexes that hold a task in `state`: by state, and by name and state, in each scope.
local function stateIndexes(at, state)
  local keys = {}
  local offset = STATE_OFFSETS[state]
  for base = at.indexes, #KEYS, INDEXES_PER_SCOPE do
    table.insert(keys, KEYS[base + 2 + offset])
    table.insert(keys, KEYS[base + 7 + offset])
  end
  return keys
end

-- Every index that holds a task in `state`: those of its state, and all and by name.
local function allIndexes(at, state)
  local keys = stateIndexes(at, state)
  for base = at.indexes, #KEYS, INDEXES_PER_SCOPE do
    table.insert(keys, KEYS[base])
    table.insert(keys, KEYS[base + 1])
  end
  return keys
end

-- `waiter` as recordWaiting takes it (includes/waiting.lua): nil when the caller has not read it.
local function moveIndexes(at, sortKey, fromState, toState, waiter)
  if fromState == toState then return end
  for _, index in ipairs(stateIndexes(at, fromState)) do redis.call('ZREM', index, sortKey) end
  for _, index in ipairs(stateIndexes(at, toState)) do redis.call('ZADD', index, 0, sortKey) end
  if fromState == 'QUEUED' then
    recordWaiting(at, -1, waiter)
  elseif toState == 'QUEUED' then
    recordWaiting(at, 1, waiter)
  end
end
