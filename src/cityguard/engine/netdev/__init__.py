"""What the engine knows about network devices beyond their syntax: the defaults an absent
line stands for (`defaults`). The syntax itself is read by targets/netdev*.py."""
