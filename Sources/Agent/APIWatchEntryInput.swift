import DomainMatch
import Foundation
import HTTPTypes
import Watchlist

/// Any JSON value, decoded without a schema so that a request body can be checked field by
/// field: an unknown field, or a value of the wrong type, is then named in the error instead of
/// surfacing as a decoder's coding path.
enum JSONValue: Decodable, Equatable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// For messages: "a string", "80.5", ….
    var kindName: String {
        switch self {
        case .null: "null"
        case .bool(let value): "\(value)"
        case .integer(let value): "\(value)"
        case .number(let value): "\(value)"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// The body of `POST /v1/watchlist`, checked into list lines.
///
/// Every value is held to the plain list format's own rules, and the line that goes into the
/// API's file is read back by the loader's parser before anything is written: what the API
/// accepts is exactly what the loader accepts, and nothing it would refuse reaches the file.
enum APIWatchEntryInput {
    static let entryFields = ["domain", "exact", "list", "tags", "risk", "action", "expires"]

    /// At most this many entries in one request (a feed goes into a list file, not the API).
    static let maxEntries = 10_000

    /// - Parameter now: Unix seconds; an entry that would already have expired is refused.
    static func parse(_ body: [UInt8], now: Int64) throws(APIError) -> [PlainListLine] {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(body))
        } catch {
            throw .badRequest("the body is not valid JSON")
        }
        guard case .object(let object) = value else {
            throw .badRequest("the body must be a JSON object like {\"entries\":[{\"domain\":\"evil.example\"}]}")
        }
        if let unknown = object.keys.sorted().first(where: { $0 != "entries" }) {
            throw .badRequest("unknown field '\(unknown)' (known: entries)")
        }
        guard case .array(let items)? = object["entries"], !items.isEmpty else {
            throw .badRequest("entries must be a non-empty array of objects like {\"domain\":\"evil.example\"}")
        }
        guard items.count <= maxEntries else {
            throw .badRequest("entries holds \(items.count) entries; at most \(maxEntries) at once")
        }
        var lines: [PlainListLine] = []
        for (i, item) in items.enumerated() {
            let line = try entry(item, label: "entries[\(i)]", now: now)
            if let first = lines.firstIndex(where: { APIWatchlistFile.sameEntry($0, line) }) {
                throw .badRequest("entries[\(i)]: \(line.name) is also entries[\(first)]")
            }
            lines.append(line)
        }
        return lines
    }

    static func entry(_ item: JSONValue, label: String, now: Int64) throws(APIError) -> PlainListLine {
        guard case .object(let fields) = item else { throw .badRequest("\(label) must be an object, not \(item.kindName)") }
        func fail(_ message: String) -> APIError { .badRequest("\(label): \(message)") }
        if let unknown = fields.keys.sorted().first(where: { !entryFields.contains($0) }) {
            throw fail("unknown field '\(unknown)' (known: \(entryFields.joined(separator: ", ")))")
        }
        func field(_ key: String) -> JSONValue? {
            if case .null? = fields[key] { return nil }
            return fields[key]
        }
        func string(_ key: String) throws(APIError) -> String? {
            switch field(key) {
            case nil: return nil
            case .string(let text)?: return text
            case let other?: throw fail("\(key) must be a string, not \(other.kindName)")
            }
        }

        guard let domain = try string("domain") else { throw fail("domain is required") }
        if domain.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0 == "#" || $0 == "\u{7F}" }) {
            throw fail("domain '\(domain)' contains a space, a control character or '#'")
        }
        if domain.hasPrefix("=") { throw fail("domain '\(domain)' starts with '=': say \"exact\": true instead") }
        // The name alone, through the loader's parser: the same normalization, the same refusals
        // with the same reasons.
        var line: PlainListLine
        switch PlainListLine.parse(domain) {
        case .none: throw fail("domain is empty")
        case .failure(let error): throw fail(error.reason)
        case .success(let parsed): line = parsed
        }
        switch field("exact") {
        case nil, .bool(false)?: break
        case .bool(true)?: line.scope = .exact
        case let other?: throw fail("exact must be true or false, not \(other.kindName)")
        }
        if let list = try string("list") {
            guard !list.isEmpty, list.utf8.count <= PlainListParser.maxListNameBytes, PlainListParser.isValidTag(list) else {
                throw fail("list must be one word of [A-Za-z0-9_.:-], at most \(PlainListParser.maxListNameBytes) bytes, not '\(list)'")
            }
            line.list = list
        }
        switch field("tags") {
        case nil: break
        case .array(let items)?:
            for item in items {
                guard case .string(let tag) = item else { throw fail("tags must hold strings only, not \(item.kindName)") }
                guard PlainListParser.isValidTag(tag) else { throw fail("tag '\(tag)' is not a word of [A-Za-z0-9_.:-]") }
                if !line.tags.contains(tag) { line.tags.append(tag) }
            }
        case let other?: throw fail("tags must be an array of strings, not \(other.kindName)")
        }
        switch field("risk") {
        case nil: break
        case .integer(let risk)? where (0...100).contains(risk): line.risk = Int(risk)
        case .integer(let risk)?: throw fail("risk must be a whole number from 0 to 100, not \(risk)")
        case let other?: throw fail("risk must be a whole number from 0 to 100, not \(other.kindName)")
        }
        if let action = try string("action") {
            guard let parsed = EntryAction(rawValue: action), parsed != .unspecified else {
                throw fail("action must be 'block' or 'alert', not '\(action)'")
            }
            line.action = parsed
        }
        if let expires = try string("expires") {
            guard let moment = PlainListParser.parseExpiry(Substring(expires)) else {
                throw fail("expires must be a UTC date (2027-01-31) or moment (2027-01-31T12:00:00Z), not '\(expires)'")
            }
            guard moment > now else { throw fail("expires \(expires) has passed: the entry would never apply") }
            line.expires = moment
        }
        // The line as it will be written must read back as this very entry.
        guard case .success(let readBack)? = PlainListLine.parse(line.text), readBack == line else {
            throw APIError(.internalServerError, "\(label): the list line '\(line.text)' does not read back as the entry; not saved")
        }
        return line
    }
}
