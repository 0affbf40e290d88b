// Watch and allow entries, list loading and compilation into a HostMatcher.
