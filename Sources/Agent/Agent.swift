// Pipeline wiring: scan, sinks, and (later) the daemon.
