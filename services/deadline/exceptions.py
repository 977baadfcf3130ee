"""Deadline errors are the common ones (ValidationFailed, NotFound); nothing of its own yet."""
