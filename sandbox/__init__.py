"""Local stand-ins for outside systems, speaking their real protocols with test keys."""
