"""What every front end shares, whatever its wire protocol; ``ports`` is how the service sees one."""
