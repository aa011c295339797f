-- One page under load for `make bench` (benchmarks/http_bench.py runs wrk with this script).
--
--   wrk -t1 -c8 -d10s --latency -s benchmarks/wrk_page.lua http://127.0.0.1:PORT -- REQUESTS SESSIONS
--
-- REQUESTS: one request a line, "GET /path" or "POST /path form-body" (the search as typed is an
-- HTMX POST: the form body gets the session's CSRF token appended, and the HTMX headers are set).
-- SESSIONS: one signed-in session a line, "Cookie header<TAB>CSRF token". Requests go round the
-- sessions in turn, so the load comes from as many sessions as the harness signed in.
--
-- Every request string is built once in init(): request() only hands the next one out, so the load
-- generator spends its CPU on sockets, not on Lua. response() counts answers other than 200 (wrk
-- itself counts only 4xx/5xx as errors, and a redirect to the sign-in page must not pass for a fast
-- page). done() prints one line the harness parses: "WRK_RESULT" and a JSON object.

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

local function read_lines(path)
   local lines = {}
   for line in io.lines(path) do
      if line ~= "" then
         lines[#lines + 1] = line
      end
   end
   return lines
end

function init(args)
   local specs = {}
   for _, line in ipairs(read_lines(args[1])) do
      local method, path, body = line:match("^(%S+)%s+(%S+)%s*(.*)$")
      specs[#specs + 1] = { method = method, path = path, body = body }
   end
   local sessions = {}
   for _, line in ipairs(read_lines(args[2])) do
      local cookie, token = line:match("^(.-)\t(.*)$")
      sessions[#sessions + 1] = { cookie = cookie, token = token }
   end
   prepared = {}
   for _, spec in ipairs(specs) do
      for _, session in ipairs(sessions) do
         -- As a browser behind the clinic's TLS-terminating proxy (the server sets Secure cookies).
         local headers = {
            ["Cookie"] = session.cookie,
            ["X-Forwarded-Proto"] = "https",
            ["X-Forwarded-For"] = "10.0.0.9",
         }
         local body = nil
         if spec.method == "POST" then
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = session.token
            headers["Referer"] = "https://127.0.0.1" .. spec.path
            headers["HX-Request"] = "true"
            headers["HX-Target"] = "patient-results"
            headers["HX-Trigger"] = "id_q"
            headers["HX-Current-URL"] = "https://127.0.0.1" .. spec.path
            body = spec.body .. "&csrfmiddlewaretoken=" .. session.token
         end
         prepared[#prepared + 1] = wrk.format(spec.method, spec.path, headers, body)
      end
   end
   counter = 0
   not_ok = 0
end

function request()
   counter = counter % #prepared + 1
   return prepared[counter]
end

function response(status, headers, body)
   if status ~= 200 then
      not_ok = not_ok + 1
   end
end

function done(summary, latency, requests)
   local not_ok_total = 0
   for _, thread in ipairs(threads) do
      not_ok_total = not_ok_total + (thread:get("not_ok") or 0)
   end
   local errors = summary.errors
   io.write(string.format(
      'WRK_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, "not_ok": %d, '
         .. '"connect_errors": %d, "read_errors": %d, "write_errors": %d, "status_errors": %d, "timeouts": %d, '
         .. '"p50_us": %d, "p90_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
      summary.requests, summary.duration, summary.bytes, not_ok_total,
      errors.connect, errors.read, errors.write, errors.status, errors.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99),
      latency.max, latency.mean))
end
