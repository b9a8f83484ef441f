package redisstore

import "github.com/redis/go-redis/v9"

// Every script takes the guild's four keys, which share the guild's hash
// tag and so one Redis Cluster slot:
//
//	KEYS[1] the data hash   KEYS[2] the queue list
//	KEYS[3] the seq hash    KEYS[4] the lease
//
// and the writes among them start with the same four arguments:
//
//	ARGV[1] guild ID   ARGV[2] notify channel ("" for none)
//	ARGV[3] token ("0": unfenced)   ARGV[4] expected version ("0": any)
//
// A script answers with a table whose first element is a status code
// (the st* constants). Redis does not roll a script back when it fails
// half-way, so each checks everything before its first write.
//
// Numbers are handed over as decimal strings: Lua's numbers are doubles,
// exact below 2⁵³, which versions and tokens stay under, but tostring
// would print them in exponent form.

// Status codes of the scripts' replies.
const (
	stOK       = 0
	stFenced   = 1 // {1, newest token}
	stConflict = 2 // {2, version}
	stPosition = 3 // {3, queue length, bad position}
	stFull     = 4 // {4, cap}
	stHeld     = 5 // {5, lease value, pttl}
	stLost     = 6 // {6}
)

// prelude defines the helpers the write scripts share.
const prelude = `
local function fmt(n) return string.format('%d', n) end

-- now_us is the server's clock in microseconds: the first value of a
-- counter, so that a counter lost with Redis' data starts again above
-- every value it gave out before.
local function now_us()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000000 + tonumber(t[2])
end

local function incr(field)
  local v = redis.call('HINCRBY', KEYS[3], field, 1)
  if v == 1 then
    v = now_us()
    redis.call('HSET', KEYS[3], field, fmt(v))
  end
  return fmt(v)
end

local function version() return redis.call('HGET', KEYS[3], 'queue') or '0' end

-- check returns a refusal for a stale token or an unexpected version.
local function check()
  if ARGV[3] ~= '0' then
    local cur = redis.call('HGET', KEYS[3], 'fence')
    if cur ~= ARGV[3] then return {1, cur or '0'} end
  end
  if ARGV[4] ~= '0' then
    local cur = version()
    if cur ~= ARGV[4] then return {2, cur} end
  end
  return nil
end

-- bump raises the queue's version and announces it.
local function bump()
  local v = incr('queue')
  if ARGV[2] ~= '' then
    redis.call('PUBLISH', ARGV[2], '{"guildId":"' .. ARGV[1] .. '","version":' .. v .. '}')
  end
  return v
end

-- push appends t[from..to] (to the front in reverse with LPUSH), in
-- batches that stay within Lua's stack.
local function push(cmd, t, from, to)
  local i = from
  while i <= to do
    local j = math.min(i + 999, to)
    redis.call(cmd, KEYS[2], unpack(t, i, j))
    i = j + 1
  end
end

local function reversed(t, from, to)
  local r = {}
  for i = to, from, -1 do r[#r + 1] = t[i] end
  return r
end
`

// saveScript replaces the session and history and, unless ARGV[5] is
// "1", the queue with ARGV[8…].
var saveScript = redis.NewScript(prelude + `
local refused = check()
if refused then return refused end
redis.call('HSET', KEYS[1], 'session', ARGV[6], 'history', ARGV[7])
if ARGV[5] == '1' then return {0, version()} end
redis.call('DEL', KEYS[2])
push('RPUSH', ARGV, 8, #ARGV)
return {0, bump()}
`)

// deleteScript removes the session, history and queue; the counters stay.
var deleteScript = redis.NewScript(prelude + `
local refused = check()
if refused then return refused end
redis.call('HDEL', KEYS[1], 'session', 'history')
if redis.call('DEL', KEYS[2]) == 1 then return {0, bump()} end
return {0, version()}
`)

// putScript stores the settings, ARGV[5].
var putScript = redis.NewScript(prelude + `
local refused = check()
if refused then return refused end
redis.call('HSET', KEYS[1], 'settings', ARGV[5])
return {0}
`)

// editScript applies one queue edit: ARGV[5] is the operation and the
// arguments after it depend on it, as editArgs writes them. It answers
// {0, version, length, track, position, added, dropped, removed}, track
// being the element taken out or moved, or "".
var editScript = redis.NewScript(prelude + `
local refused = check()
if refused then return refused end
local op = ARGV[5]
local n = redis.call('LLEN', KEYS[2])
local track, position, added, dropped, removed = '', 0, 0, 0, 0

local function bad(p) return {3, n, p} end
local function valid(p) return p >= 1 and p <= n end

-- Tombstone: an empty element marks a place for LREM and LINSERT to
-- find; queue elements are never empty.
local function remove_at(i) -- 0-based
  if i == 0 then return redis.call('LPOP', KEYS[2]) end
  if i == n - 1 then return redis.call('RPOP', KEYS[2]) end
  local v = redis.call('LINDEX', KEYS[2], i)
  redis.call('LSET', KEYS[2], i, '')
  if i < n / 2 then redis.call('LREM', KEYS[2], 1, '') else redis.call('LREM', KEYS[2], -1, '') end
  return v
end

local function insert_one(i, len, v) -- before 0-based i of len elements
  if i == 0 then redis.call('LPUSH', KEYS[2], v)
  elseif i == len then redis.call('RPUSH', KEYS[2], v)
  else
    local pivot = redis.call('LINDEX', KEYS[2], i)
    redis.call('LSET', KEYS[2], i, '')
    redis.call('LINSERT', KEYS[2], 'BEFORE', '', v)
    redis.call('LSET', KEYS[2], i + 1, pivot)
  end
end

if op == 'add' or op == 'insert' then
  local max = tonumber(ARGV[6])
  local at, first = n + 1, 7
  if op == 'insert' then
    at, first = tonumber(ARGV[7]), 8
    if at < 1 or at > n + 1 then return bad(at) end
  end
  if n >= max then return {4, ARGV[6]} end
  added = math.min(max - n, #ARGV - first + 1)
  dropped = #ARGV - first + 1 - added
  position = at
  local last = first + added - 1
  local i = at - 1
  if i == n then
    push('RPUSH', ARGV, first, last)
  elseif i == 0 then
    push('LPUSH', reversed(ARGV, first, last), 1, added)
  elseif added == 1 then
    insert_one(i, n, ARGV[first])
  elseif i <= n - i then
    local head = redis.call('LRANGE', KEYS[2], 0, i - 1)
    redis.call('LTRIM', KEYS[2], i, -1)
    push('LPUSH', reversed(ARGV, first, last), 1, added)
    push('LPUSH', reversed(head, 1, #head), 1, #head)
  else
    local tail = redis.call('LRANGE', KEYS[2], i, -1)
    redis.call('LTRIM', KEYS[2], 0, i - 1)
    push('RPUSH', ARGV, first, last)
    push('RPUSH', tail, 1, #tail)
  end
  n = n + added
elseif op == 'remove' then
  local p = tonumber(ARGV[6])
  if not valid(p) then return bad(p) end
  track = remove_at(p - 1)
  removed = 1
  n = n - 1
elseif op == 'move' then
  local from, to = tonumber(ARGV[6]), tonumber(ARGV[7])
  if not valid(from) then return bad(from) end
  if not valid(to) then return bad(to) end
  if from == to then
    track = redis.call('LINDEX', KEYS[2], from - 1)
  else
    track = remove_at(from - 1)
    insert_one(to - 1, n - 1, track)
  end
elseif op == 'swap' then
  local a, b = tonumber(ARGV[6]), tonumber(ARGV[7])
  if not valid(a) then return bad(a) end
  if not valid(b) then return bad(b) end
  if a ~= b then
    local va = redis.call('LINDEX', KEYS[2], a - 1)
    local vb = redis.call('LINDEX', KEYS[2], b - 1)
    redis.call('LSET', KEYS[2], a - 1, vb)
    redis.call('LSET', KEYS[2], b - 1, va)
  end
elseif op == 'shuffle' then
  if n > 1 then
    local all = redis.call('LRANGE', KEYS[2], 0, -1)
    local x = tonumber(ARGV[6])
    for i = n, 2, -1 do
      x = (x * 48271) % 2147483647
      local j = x % i + 1
      all[i], all[j] = all[j], all[i]
    end
    redis.call('DEL', KEYS[2])
    push('RPUSH', all, 1, n)
  end
elseif op == 'clear' then
  removed = n
  n = 0
  redis.call('DEL', KEYS[2])
elseif op == 'removeRequester' then
  local all = redis.call('LRANGE', KEYS[2], 0, -1)
  local prefix = ARGV[6] .. ' '
  local plen = #prefix
  local keep = {}
  for i = 1, n do
    if string.sub(all[i], 1, plen) ~= prefix then keep[#keep + 1] = all[i] end
  end
  removed = n - #keep
  if removed > 0 then
    redis.call('DEL', KEYS[2])
    push('RPUSH', keep, 1, #keep)
  end
  n = #keep
elseif op == 'skipTo' then
  local p = tonumber(ARGV[6])
  if not valid(p) then return bad(p) end
  track = redis.call('LINDEX', KEYS[2], p - 1)
  redis.call('LTRIM', KEYS[2], p, -1)
  removed = p
  n = n - p
else
  return redis.error_reply('unknown queue operation ' .. op)
end
return {0, bump(), n, track, position, added, dropped, removed}
`)

// acquireScript grants the lease to ARGV[1] for ARGV[2] ms with a new
// token, or extends it when ARGV[1] holds it already.
var acquireScript = redis.NewScript(prelude + `
local cur = redis.call('GET', KEYS[4])
if cur then
  local sep = string.find(cur, ':', 1, true)
  if sep and string.sub(cur, sep + 1) == ARGV[1] then
    redis.call('PEXPIRE', KEYS[4], ARGV[2])
    return {0, string.sub(cur, 1, sep - 1)}
  end
  return {5, cur, redis.call('PTTL', KEYS[4])}
end
local token = incr('fence')
redis.call('SET', KEYS[4], token .. ':' .. ARGV[1], 'PX', ARGV[2])
return {0, token}
`)

// renewScript extends the lease ARGV[1] (its value) with token ARGV[3]
// to ARGV[2] ms, reviving it when it expired and no one took the guild
// since.
var renewScript = redis.NewScript(`
local cur = redis.call('GET', KEYS[4])
if cur == ARGV[1] then
  redis.call('PEXPIRE', KEYS[4], ARGV[2])
  return {0}
end
if not cur and redis.call('HGET', KEYS[3], 'fence') == ARGV[3] then
  redis.call('SET', KEYS[4], ARGV[1], 'PX', ARGV[2])
  return {0}
end
return {6}
`)

// releaseScript deletes the lease ARGV[1] with token ARGV[2].
var releaseScript = redis.NewScript(`
local cur = redis.call('GET', KEYS[4])
if cur == ARGV[1] then
  redis.call('DEL', KEYS[4])
  return {0}
end
if not cur and redis.call('HGET', KEYS[3], 'fence') == ARGV[2] then return {0} end
return {6}
`)
