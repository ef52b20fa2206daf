"""The state and where it lives: services, stores, snapshot, durability, journal, faults."""
