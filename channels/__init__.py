"""Reaching people: SMS providers now; WeChat and in-app messages join later."""
