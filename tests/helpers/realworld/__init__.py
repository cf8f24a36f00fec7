"""Generated feeds in the shapes real publishers send, with the marts rows each must become."""
