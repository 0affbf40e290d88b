import DomainMatch
import HTTPTypes
import Hummingbird
import HummingbirdCore

/// The query parameters of one request, checked against the names its route knows.
///
/// An unknown or repeated parameter is an error rather than ignored: a misspelt `sinse=` would
/// otherwise silently answer for the default window.
struct APIQuery {
    private var values: [String: String] = [:]

    init(_ uri: URI, known: [String]) throws(APIError) {
        for (key, value) in uri.queryParameters {
            let key = String(key)
            guard known.contains(key) else {
                let takes = known.isEmpty ? "this route takes none" : "known: " + known.joined(separator: ", ")
                throw .badRequest("unknown parameter '\(key)' (\(takes))")
            }
            guard values[key] == nil else { throw .badRequest("parameter '\(key)' is given twice") }
            values[key] = String(value)
        }
    }

    func string(_ key: String) -> String? { values[key] }

    /// `since` as Unix milliseconds (``TimeWindow``), the default window when absent.
    func sinceMillis(now: Int64) throws(APIError) -> Int64 {
        let text = values["since"] ?? TimeWindow.defaultSince
        guard let millis = TimeWindow.sinceMillis(text, now: now) else {
            throw .badRequest("since must be \(TimeWindow.forms), not '\(text)'")
        }
        return millis
    }

    func bool(_ key: String) throws(APIError) -> Bool? {
        switch values[key] {
        case nil: nil
        case "true": true
        case "false": false
        case let other?: throw .badRequest("\(key) must be true or false, not '\(other)'")
        }
    }

    func integer(_ key: String, in range: ClosedRange<Int>, default value: Int) throws(APIError) -> Int {
        guard let text = values[key] else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw .badRequest("\(key) must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
        }
        return number
    }

    /// A domain name in canonical form; an IP or anything the normalizer rejects is an error.
    func domain(_ key: String) throws(APIError) -> String {
        guard let text = values[key] else { throw .badRequest("\(key) is required (like \(key)=evil.example)") }
        return try APIQuery.domainName(text, parameter: key)
    }

    static func domainName(_ text: String, parameter: String) throws(APIError) -> String {
        switch HostNormalizer.normalize(text) {
        case .failure(let rejection):
            throw .badRequest("\(parameter): '\(text)' is not a valid name: \(rejection.explanation)")
        case .success(let host) where host.kind != .name:
            throw .badRequest("\(parameter): '\(text)' is an IP address, not a domain name")
        case .success(let host):
            return host.name
        }
    }
}
