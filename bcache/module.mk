# bcache/: bcache-probe and bcache-register (bcache-stats and the munin
# plugin add themselves through bcache/stats.mk).

-include bcache/stats.mk
