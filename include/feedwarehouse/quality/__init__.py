"""Quality: the Great Expectations gates on raw and marts, their stored results and pages."""
