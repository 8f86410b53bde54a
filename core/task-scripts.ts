/**
 * Lua scripts that change a task. Each one checks the task's state, writes its fields, moves it
 * between the list indexes, bumps its sequence number and publishes the whole record, in one round
 * trip: no reader ever sees a change half done, and every change is published exactly once.
 *
 * Every script gets KEYS[1] (the key it is about, so Redis Cluster routes it), ARGV[1] the key
 * prefix and ARGV[2] the time in milliseconds; the rest is its own.
 */

const prelude = /* lua */ `
local prefix = ARGV[1]
local now = tonumber(ARGV[2])

local function taskKey(id) return prefix .. ':task:' .. id end

-- Keep these names in step with createKeys().index in keys.ts. A task with an owner is also in
-- the owner's own indexes, so an owner's list reads only the owner's tasks.
local function indexKey(ownerKey, suffix)
  if ownerKey then return prefix .. ':index:owner:' .. ownerKey .. ':' .. suffix end
  return prefix .. ':index:' .. suffix
end
local function stateIndexes(name, state, ownerKey)
  local keys = { indexKey(nil, 'state:' .. state), indexKey(nil, 'name:' .. name .. ':state:' .. state) }
  if ownerKey then
    table.insert(keys, indexKey(ownerKey, 'state:' .. state))
    table.insert(keys, indexKey(ownerKey, 'name:' .. name .. ':state:' .. state))
  end
  return keys
end
local function allIndexes(name, state, ownerKey)
  local keys = stateIndexes(name, state, ownerKey)
  table.insert(keys, indexKey(nil, 'all'))
  table.insert(keys, indexKey(nil, 'name:' .. name))
  if ownerKey then
    table.insert(keys, indexKey(ownerKey, 'all'))
    table.insert(keys, indexKey(ownerKey, 'name:' .. name))
  end
  return keys
end

local function isTerminal(state)
  return state == 'COMPLETED' or state == 'FAILED' or state == 'CANCELLED'
end

local function setState(key, newState)
  local name, oldState, sortKey, ownerKey = unpack(redis.call('HMGET', key, 'name', 'state', 'sortKey', 'ownerKey'))
  if oldState == newState then return end
  for _, index in ipairs(stateIndexes(name, oldState, ownerKey or nil)) do redis.call('ZREM', index, sortKey) end
  for _, index in ipairs(stateIndexes(name, newState, ownerKey or nil)) do redis.call('ZADD', index, 0, sortKey) end
  redis.call('HSET', key, 'state', newState)
end

-- A terminal state starts the task's time to live (its ttl was fixed when it was created).
local function setTerminal(key, state)
  setState(key, state)
  local id, ttl = unpack(redis.call('HMGET', key, 'id', 'ttl'))
  local expiresAt = now + tonumber(ttl)
  redis.call('HSET', key, 'finishedAt', string.format('%d', now), 'expiresAt', string.format('%d', expiresAt))
  redis.call('HDEL', key, 'runId')
  redis.call('ZADD', prefix .. ':expiry', expiresAt, id)
end

local function tableOf(flat)
  local task = {}
  for i = 1, #flat, 2 do task[flat[i]] = flat[i + 1] end
  return task
end

local function publish(task)
  local payload = cjson.encode(task)
  redis.call('PUBLISH', prefix .. ':events:task:' .. task.id, payload)
  redis.call('PUBLISH', prefix .. ':events:all', payload)
end

-- Bumps the stored record's sequence number and publishes it; answers the record as HGETALL does.
local function publishChange(key)
  redis.call('HINCRBY', key, 'seq', 1)
  local flat = redis.call('HGETALL', key)
  publish(tableOf(flat))
  return flat
end

-- The record as a table, read once; nil for an unknown task.
local function readTask(key)
  local flat = redis.call('HGETALL', key)
  if #flat == 0 then return nil end
  return tableOf(flat)
end

-- Publishes the table as the task's next change, with its own sequence number; the caller writes
-- the table back (endRun does).
local function publishTask(task)
  task.seq = tostring(tonumber(task.seq) + 1)
  publish(task)
end

-- Ends a run read with readTask: state is a terminal state, or QUEUED to hand the task back for
-- another attempt. Publishes the change, moves the task from the indexes of indexedState (the state
-- the indexes hold it in) and writes back only what a run changes: one read and one write in all.
local function endRun(key, task, indexedState, state, result, error)
  local clearsError = false
  task.state = state
  task.runId = nil
  if state ~= 'QUEUED' then
    local expiresAt = now + tonumber(task.ttl)
    task.finishedAt = string.format('%d', now)
    task.expiresAt = string.format('%d', expiresAt)
    redis.call('ZADD', prefix .. ':expiry', expiresAt, task.id)
  end
  if state == 'COMPLETED' then
    task.result = result
    task.progress = '100'
    task.current = task.total
    clearsError = task.error ~= nil -- an earlier attempt's failure no longer matters
    task.error = nil
  end
  if error ~= '' then
    task.error = error
    clearsError = false
  end
  publishTask(task)
  if indexedState ~= state then
    local ownerKey = task.ownerKey or nil
    for _, index in ipairs(stateIndexes(task.name, indexedState, ownerKey)) do redis.call('ZREM', index, task.sortKey) end
    for _, index in ipairs(stateIndexes(task.name, state, ownerKey)) do redis.call('ZADD', index, 0, task.sortKey) end
  end
  local fields = {}
  -- the fields a run changes
  for _, field in ipairs({ 'state', 'worker', 'startedAt', 'attempts', 'current', 'total', 'progress', 'seq',
    'finishedAt', 'expiresAt', 'result', 'error' }) do
    if task[field] then
      table.insert(fields, field)
      table.insert(fields, task[field])
    end
  end
  redis.call('HSET', key, unpack(fields))
  if clearsError then redis.call('HDEL', key, 'runId', 'error') else redis.call('HDEL', key, 'runId') end
end

local function sweep(limit)
  local ids = redis.call('ZRANGEBYSCORE', prefix .. ':expiry', '-inf', now, 'LIMIT', 0, limit)
  for _, id in ipairs(ids) do
    local key = taskKey(id)
    local name, state, sortKey, ownerKey = unpack(redis.call('HMGET', key, 'name', 'state', 'sortKey', 'ownerKey'))
    if name then
      for _, index in ipairs(allIndexes(name, state, ownerKey or nil)) do redis.call('ZREM', index, sortKey) end
      redis.call('DEL', key)
    end
    redis.call('ZREM', prefix .. ':expiry', id)
  end
  return #ids
end
`;

/**
 * ARGV: id, name, ttl, total, input, owner, ownerKey (both '' for no owner). Answers the new record. Its sort key (creation time, then a
 * counter for tasks created in the same millisecond) orders the list indexes and is the cursor.
 */
const create = /* lua */ `
local key = KEYS[1]
if redis.call('EXISTS', key) == 1 then return redis.error_reply('ERR task exists') end
local counter = redis.call('INCR', prefix .. ':created') % 1000000
local sortKey = string.format('%015d:%06d:%s', now, counter, ARGV[3])
redis.call('HSET', key, 'id', ARGV[3], 'name', ARGV[4], 'state', 'QUEUED', 'sortKey', sortKey,
  'ttl', ARGV[5], 'total', ARGV[6], 'input', ARGV[7], 'current', '0', 'progress', '0',
  'attempts', '0', 'createdAt', ARGV[2], 'seq', '0')
local ownerKey = nil
if ARGV[9] ~= '' then
  ownerKey = ARGV[9]
  redis.call('HSET', key, 'owner', ARGV[8], 'ownerKey', ownerKey)
end
for _, index in ipairs(allIndexes(ARGV[4], 'QUEUED', ownerKey)) do redis.call('ZADD', index, 0, sortKey) end
return publishChange(key)
`;

/**
 * ARGV: runId, worker. A worker calls it before running a task; answers the state the task is in
 * afterwards: ACTIVE means run it, anything else means leave it (cancelled, finished or deleted).
 */
const start = /* lua */ `
local key = KEYS[1]
local state, cancelRequested = unpack(redis.call('HMGET', key, 'state', 'cancelRequested'))
if not state then return 'MISSING' end
if isTerminal(state) then return state end
if cancelRequested == '1' then
  setTerminal(key, 'CANCELLED')
  publishChange(key)
  return 'CANCELLED'
end
setState(key, 'ACTIVE')
redis.call('HSET', key, 'runId', ARGV[3], 'worker', ARGV[4], 'startedAt', ARGV[2], 'current', '0', 'progress', '0')
redis.call('HINCRBY', key, 'attempts', 1)
publishChange(key)
return 'ACTIVE'
`;

/**
 * ARGV: runId, current, total, progress. Answers ACTIVE when the step was recorded; anything else
 * tells the worker to stop: the task was cancelled or deleted, or another run has taken it over.
 */
const progress = /* lua */ `
local key = KEYS[1]
local state, runId, cancelRequested = unpack(redis.call('HMGET', key, 'state', 'runId', 'cancelRequested'))
if not state then return 'MISSING' end
if runId ~= ARGV[3] then return 'STALE' end
if cancelRequested == '1' then return 'CANCEL_REQUESTED' end
redis.call('HSET', key, 'current', ARGV[4], 'total', ARGV[5], 'progress', ARGV[6])
publishChange(key)
return 'ACTIVE'
`;

/**
 * ARGV: runId, state, result, error, then current, total, progress for a last step reported just
 * before the end ('' when there is none). state is a terminal state, or QUEUED to hand the task back
 * for another attempt. The last step is recorded and published first, as progress would, so that both
 * changes get their own sequence number and event; if a cancel was requested by then, the task is
 * cancelled instead, as progress would have told the worker to. Answers 1, 0 when this run no longer
 * owns the task, or 'CANCELLED'.
 */
const finish = /* lua */ `
local key = KEYS[1]
local task = readTask(key)
if not task or task.runId ~= ARGV[3] then return 0 end
if ARGV[7] ~= '' then
  if task.cancelRequested == '1' then
    setTerminal(key, 'CANCELLED')
    publishChange(key)
    return 'CANCELLED'
  end
  task.current = ARGV[7]
  task.total = ARGV[8]
  task.progress = ARGV[9]
  publishTask(task)
end
endRun(key, task, task.state, ARGV[4], ARGV[5], ARGV[6])
return 1
`;

/**
 * ARGV: runId, worker, state, result, error, as start and finish take them. For a run that ended
 * before anything was recorded (a task kind that finishes at once): records its start and its end
 * together. Both changes get their own sequence number and event, in order, as if start and finish
 * had run one after the other; but the record is read once and written once, and it never sits in
 * the ACTIVE index, which nobody could see in between anyway. Answers as start does.
 */
const startAndFinish = /* lua */ `
local key = KEYS[1]
local task = readTask(key)
if not task then return 'MISSING' end
local fromState = task.state
if isTerminal(fromState) then return fromState end
if task.cancelRequested == '1' then
  setTerminal(key, 'CANCELLED')
  publishChange(key)
  return 'CANCELLED'
end
-- started, as in start
task.state = 'ACTIVE'
task.runId = ARGV[3]
task.worker = ARGV[4]
task.startedAt = ARGV[2]
task.current = '0'
task.progress = '0'
task.attempts = tostring(tonumber(task.attempts) + 1)
publishTask(task)
endRun(key, task, fromState, ARGV[5], ARGV[6], ARGV[7])
return 'ACTIVE'
`;

/**
 * ARGV: error. For a run BullMQ gave up on without its processor ending it (a task whose workers
 * died once too often): fails the task if it is still ACTIVE. Answers 1 when it did.
 */
const abandon = /* lua */ `
local key = KEYS[1]
if redis.call('HGET', key, 'state') ~= 'ACTIVE' then return 0 end
setTerminal(key, 'FAILED')
redis.call('HSET', key, 'error', ARGV[3])
publishChange(key)
return 1
`;

/**
 * A queued task is cancelled at once; a running one is flagged and its worker told on the cancel
 * channel (the flag covers a missed message: the worker reads it at its next step). Answers the
 * record afterwards, or nil for an unknown task.
 */
const cancel = /* lua */ `
local key = KEYS[1]
local state, id = unpack(redis.call('HMGET', key, 'state', 'id'))
if not state then return nil end
if state == 'QUEUED' then
  setTerminal(key, 'CANCELLED')
  return publishChange(key)
end
if state == 'ACTIVE' then
  redis.call('HSET', key, 'cancelRequested', '1')
  redis.call('PUBLISH', prefix .. ':cancel', id)
end
return redis.call('HGETALL', key)
`;

/** Cancels the task if it has not finished, then forgets it. Answers 1, or 0 for an unknown task. */
const remove = /* lua */ `
local key = KEYS[1]
local state, id = unpack(redis.call('HMGET', key, 'state', 'id'))
if not state then return 0 end
if not isTerminal(state) then
  setTerminal(key, 'CANCELLED')
  publishChange(key)
  if state == 'ACTIVE' then redis.call('PUBLISH', prefix .. ':cancel', id) end
end
local name, finalState, sortKey, seq, ownerKey = unpack(redis.call('HMGET', key, 'name', 'state', 'sortKey', 'seq', 'ownerKey'))
for _, index in ipairs(allIndexes(name, finalState, ownerKey or nil)) do redis.call('ZREM', index, sortKey) end
redis.call('ZREM', prefix .. ':expiry', id)
redis.call('DEL', key)
local marker = cjson.encode({ id = id, deleted = '1', seq = tostring(tonumber(seq) + 1) })
redis.call('PUBLISH', prefix .. ':events:task:' .. id, marker)
return 1
`;

/** ARGV: limit. Forgets tasks whose time to live has run out; answers how many. */
const sweepExpired = /* lua */ `
return sweep(tonumber(ARGV[3]))
`;

/**
 * KEYS[1] is the index to read. ARGV: start (a lexical bound: '+' or '(' .. sortKey), limit.
 * Forgets expired tasks first, so a page never shows one. Answers { count, record, record, ... }.
 */
const page = /* lua */ `
sweep(1000)
local result = { redis.call('ZCARD', KEYS[1]) }
local members = redis.call('ZRANGE', KEYS[1], ARGV[3], '-', 'BYLEX', 'REV', 'LIMIT', 0, tonumber(ARGV[4]))
for _, member in ipairs(members) do
  local record = redis.call('HGETALL', taskKey(string.match(member, '^%d+:%d+:(.*)$')))
  if #record > 0 then table.insert(result, record) end
end
return result
`;

export const taskScripts = {
  create,
  start,
  progress,
  finish,
  startAndFinish,
  abandon,
  cancel,
  remove,
  sweepExpired,
  page,
};

export type TaskScriptName = keyof typeof taskScripts;

export function scriptSource(name: TaskScriptName): string {
  return prelude + taskScripts[name];
}
