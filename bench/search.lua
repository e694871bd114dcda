-- bench/search.lua — wrk script: cycles through the paths in BENCH_PATHS
-- (space-separated; default the URL's own path) and prints the 95th
-- percentile latency, which wrk's --latency table leaves out.
local paths = {}
for p in string.gmatch(os.getenv("BENCH_PATHS") or "", "%S+") do
	paths[#paths + 1] = p
end
local n = 0

request = function()
	if #paths == 0 then
		return wrk.format("GET")
	end
	n = n + 1
	return wrk.format("GET", paths[(n % #paths) + 1])
end

done = function(summary, latency, requests)
	io.write(string.format("p95_ms %.2f\n", latency:percentile(95) / 1000))
end
