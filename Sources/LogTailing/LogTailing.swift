// The chunked line reader, gzip reader and (later) the file follower live here.
