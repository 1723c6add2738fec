"""What every front end shares: output batching and socket writes, limits, flood control, codecs."""
