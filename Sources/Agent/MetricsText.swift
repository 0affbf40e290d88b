/// The Prometheus text exposition (format 0.0.4) of an ``IngestSnapshot``.
///
/// Written by hand rather than through swift-metrics: the figures already exist as plain
/// counters owned by the ingestion thread, copied out once per round; a metrics backend would
/// add a lock per update on the hot path for nothing.
enum MetricsText {
    static func render(_ s: IngestSnapshot) -> String {
        var out = ""
        func family(_ name: String, _ type: String, _ help: String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        }
        func sample(_ name: String, _ labels: [(String, String)], _ value: String) {
            if labels.isEmpty {
                out += "\(name) \(value)\n"
            } else {
                out += name + "{" + labels.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",") + "} \(value)\n"
            }
        }
        family("hostwatch_lines_read_total", "counter", "Lines read, by source.")
        for source in s.sources { sample("hostwatch_lines_read_total", [("source", source.name)], "\(source.counters.linesRead)") }
        family("hostwatch_lines_parsed_total", "counter", "Lines that gave a visit with a valid host, by source.")
        for source in s.sources { sample("hostwatch_lines_parsed_total", [("source", source.name)], "\(source.counters.parsed)") }
        family("hostwatch_lines_skipped_total", "counter", "Lines skipped, by source and reason.")
        for source in s.sources {
            for (reason, count) in source.counters.skipped {
                sample("hostwatch_lines_skipped_total", [("source", source.name), ("reason", reason)], "\(count)")
            }
        }
        family("hostwatch_bytes_read_total", "counter", "Bytes read (decompressed), by source.")
        for source in s.sources { sample("hostwatch_bytes_read_total", [("source", source.name)], "\(source.counters.bytesRead)") }
        family("hostwatch_hits_total", "counter", "Visits to watched domains, by list.")
        var byList: [String: Int] = [:]
        for source in s.sources { byList.merge(source.counters.hitsByList, uniquingKeysWith: +) }
        for (list, count) in byList.sorted(by: { $0.key < $1.key }) { sample("hostwatch_hits_total", [("list", list)], "\(count)") }
        family("hostwatch_allowed_total", "counter", "Visits to watched domains suppressed by an allow entry, by source.")
        for source in s.sources { sample("hostwatch_allowed_total", [("source", source.name)], "\(source.counters.allowed)") }
        family("hostwatch_file_lag_bytes", "gauge", "Bytes written to a file and not yet read.")
        for file in s.files { sample("hostwatch_file_lag_bytes", [("source", file.source), ("path", file.path)], "\(file.lagBytes)") }
        family("hostwatch_file_lag_seconds", "gauge", "How long a file has had unread bytes (0 when caught up).")
        for file in s.files {
            sample("hostwatch_file_lag_seconds", [("source", file.source), ("path", file.path)], format(file.lagSeconds))
        }
        family("hostwatch_file_offset_bytes", "gauge", "Offset of the next line to read in each open file.")
        for file in s.files { sample("hostwatch_file_offset_bytes", [("source", file.source), ("path", file.path)], "\(file.offset)") }
        family("hostwatch_files_open", "gauge", "Files being read.")
        sample("hostwatch_files_open", [], "\(s.files.count)")
        family("hostwatch_watchlist_entries", "gauge", "Entries in the loaded watchlists, by kind.")
        sample("hostwatch_watchlist_entries", [("kind", "watch")], "\(s.watchCount)")
        sample("hostwatch_watchlist_entries", [("kind", "allow")], "\(s.allowCount)")
        family("hostwatch_reloads_total", "counter", "Reloads applied (SIGHUP).")
        sample("hostwatch_reloads_total", [], "\(s.reloads)")
        family("hostwatch_reload_failures_total", "counter", "Reloads refused because a file had errors.")
        sample("hostwatch_reload_failures_total", [], "\(s.reloadFailures)")
        family("hostwatch_sink_hits_total", "counter", "Hits written, by sink.")
        for sink in s.sinks { sample("hostwatch_sink_hits_total", [("sink", sink.name)], "\(sink.hitsWritten)") }
        family("hostwatch_sink_errors_total", "counter", "Failed writes, by sink.")
        for sink in s.sinks { sample("hostwatch_sink_errors_total", [("sink", sink.name)], "\(sink.writeErrors)") }
        family("hostwatch_sink_dropped_hits_total", "counter", "Hits dropped by a sink with on_error = drop.")
        for sink in s.sinks { sample("hostwatch_sink_dropped_hits_total", [("sink", sink.name)], "\(sink.droppedHits)") }
        family("hostwatch_sink_duplicates_skipped_total", "counter", "Hits not written again after a crash.")
        for sink in s.sinks { sample("hostwatch_sink_duplicates_skipped_total", [("sink", sink.name)], "\(sink.skippedDuplicates)") }
        family("hostwatch_checkpoints_saved_total", "counter", "Checkpoints saved.")
        sample("hostwatch_checkpoints_saved_total", [], "\(s.checkpointsSaved)")
        family("hostwatch_checkpoint_errors_total", "counter", "Checkpoints that could not be saved.")
        sample("hostwatch_checkpoint_errors_total", [], "\(s.checkpointErrors)")
        family("hostwatch_visit_index_lines_total", "counter", "Lines whose visits were written to the visit index.")
        sample("hostwatch_visit_index_lines_total", [], "\(s.visitLinesIndexed)")
        family("hostwatch_visit_index_skipped_lines_total", "counter", "Lines not in the visit index: their host is an IP literal or not a valid name.")
        sample("hostwatch_visit_index_skipped_lines_total", [], "\(s.visitLinesInvalidHost)")
        family("hostwatch_retro_hits_total", "counter", "Retro hits: earlier visits found in the index for newly watched entries.")
        sample("hostwatch_retro_hits_total", [], "\(s.retroHits)")
        family("hostwatch_visit_index_errors_total", "counter", "Failed writes to the visit index.")
        sample("hostwatch_visit_index_errors_total", [], "\(s.visitIndexErrors + s.hitIndexErrors)")
        family("hostwatch_truncated_unread_bytes_total", "counter", "Bytes removed by truncation before they were read, with no copy found.")
        sample("hostwatch_truncated_unread_bytes_total", [], "\(s.truncatedUnreadBytes)")
        family("hostwatch_tail_problems_total", "counter", "Files that could not be read, or were lost.")
        sample("hostwatch_tail_problems_total", [], "\(s.tailProblems)")
        return out
    }

    static func escape(_ value: String) -> String {
        var out = ""
        for c in value {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }

    static func format(_ value: Double) -> String {
        let millis = Int((value * 1000).rounded())
        return "\(millis / 1000).\(String(repeating: "0", count: 3 - String(millis % 1000).count))\(millis % 1000)"
    }

    /// The `[[blocklist]]` families.
    static func render(blocklists: [BlocklistFigures]) -> String {
        guard !blocklists.isEmpty else { return "" }
        var out = ""
        func family(_ name: String, _ type: String, _ help: String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        }
        func sample(_ name: String, _ b: BlocklistFigures, _ extra: [(String, String)] = [], _ value: String) {
            let labels = [("format", b.format), ("path", b.path)] + extra
            out += name + "{" + labels.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",") + "} \(value)\n"
        }
        family("hostwatch_blocklist_entries", "gauge", "Entries in each block file.")
        for b in blocklists { sample("hostwatch_blocklist_entries", b, [], "\(b.entries)") }
        family("hostwatch_blocklist_left_out", "gauge", "Entries selected for blocking but left out by the guards or the format, at the last run.")
        for b in blocklists { sample("hostwatch_blocklist_left_out", b, [], "\(b.leftOut)") }
        family("hostwatch_blocklist_publications_total", "counter", "Times a block file was replaced.")
        for b in blocklists { sample("hostwatch_blocklist_publications_total", b, [], "\(b.publications)") }
        family("hostwatch_blocklist_failures_total", "counter", "Runs that left a block file as it was, by reason.")
        for b in blocklists {
            for (kind, count) in b.failures.sorted(by: { $0.key < $1.key }) {
                sample("hostwatch_blocklist_failures_total", b, [("reason", kind)], "\(count)")
            }
        }
        family("hostwatch_blocklist_failing", "gauge", "1 while the last run failed: the file does not follow the watchlist.")
        for b in blocklists { sample("hostwatch_blocklist_failing", b, [], b.failing ? "1" : "0") }
        family("hostwatch_blocklist_last_success_seconds", "gauge", "Unix time of the last run that left the file current.")
        for b in blocklists { sample("hostwatch_blocklist_last_success_seconds", b, [], "\(b.lastSuccess)") }
        return out
    }
}
