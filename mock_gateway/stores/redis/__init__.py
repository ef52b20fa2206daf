"""The Redis store: the fleet's log in Redis, applied in order by every process."""
