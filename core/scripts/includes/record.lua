--[[
  A task's record, its Redis hash, as a Lua table.
]]

local function tableOf(flat)
  local task = {}
  for i = 1, #flat, 2 do task[flat[i]] = flat[i + 1] end
  return task
end

-- The record as a table, read once; nil for an unknown task.
local function readTask(key)
  local flat = redis.call('HGETALL', key)
  if #flat == 0 then return nil end
  return tableOf(flat)
end

-- A table as HGETALL answers it: field, value, field, value...
local function flatOf(task)
  local flat = {}
  for field, value in pairs(task) do
    table.insert(flat, field)
    table.insert(flat, value)
  end
  return flat
end

local function isTerminal(state)
  return state == 'COMPLETED' or state == 'FAILED' or state == 'CANCELLED'
end
