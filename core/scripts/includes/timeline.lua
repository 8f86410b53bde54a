--[[
  A task's timeline (at.timeline, a LIST): its changes, oldest first, each a JSON object of strings
  { seq, at, state, current, total, attempt, message } (all but seq, at and state may be left out),
  pushed by the script that makes the change, in the same call; `seq` is the sequence number the
  change gives the record, so that a reader of the record at one version reads the timeline as it
  was then. It keeps the newest
  TIMELINE_LENGTH entries, and at most about STEP_EVENTS steps of each run, spread evenly over it,
  so that a long run leaves room for its start and for the runs before it. It is deleted with the
  task, and expires with it as well (a record deleted by hand leaves no timeline behind).
]]

local TIMELINE_LENGTH = 100
local STEP_EVENTS = 40
local MESSAGE_BYTES = 500

-- `now` in milliseconds; `seq` the record's sequence number with this change; `event` holds the
-- entry's other fields.
local function addEvent(at, now, seq, event)
  event.seq = tostring(seq)
  event.at = string.format('%d', now)
  if event.message then event.message = string.sub(event.message, 1, MESSAGE_BYTES) end
  -- Trimmed only once it is longer than it keeps: most tasks never get there.
  if redis.call('RPUSH', at.timeline, cjson.encode(event)) > TIMELINE_LENGTH then
    redis.call('LTRIM', at.timeline, -TIMELINE_LENGTH, -1)
  end
end

-- Whether a step from `previous` to `current` steps done of `total` goes in the timeline: every step
-- of a run of STEP_EVENTS steps or fewer; of a longer one, the step that enters each of STEP_EVENTS
-- equal shares of it, and the last.
local function recordsStep(previous, current, total)
  previous, current, total = tonumber(previous) or 0, tonumber(current) or 0, tonumber(total) or 0
  if total <= STEP_EVENTS or current >= total then return true end
  return math.floor(current * STEP_EVENTS / total) > math.floor(previous * STEP_EVENTS / total)
end

-- A step of a run, if recordsStep says so: `previous` is the steps done the record held before it.
local function addStep(at, now, seq, previous, current, total, attempt)
  if recordsStep(previous, current, total) then
    addEvent(at, now, seq, { state = 'ACTIVE', current = current, total = total, attempt = attempt })
  end
end
