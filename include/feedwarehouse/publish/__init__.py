"""Publish: the validated marts swapped atomically into the BI file."""
