"""Where the state lives: in this process (memory, with an optional state file) or in Redis."""
