import HTTPTypes
import Hummingbird

/// Why the API refuses a request: the status and one sentence that names the parameter or
/// entry and what is wrong with it, answered as `{"error":"…"}`.
struct APIError: Error, Sendable, Equatable {
    var status: HTTPResponse.Status
    var message: String
    /// `WWW-Authenticate: Bearer` with a 401.
    var challenge = false

    init(_ status: HTTPResponse.Status, _ message: String, challenge: Bool = false) {
        self.status = status
        self.message = message
        self.challenge = challenge
    }

    static func badRequest(_ message: String) -> APIError { APIError(.badRequest, message) }

    var response: Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if challenge { headers[.wwwAuthenticate] = "Bearer realm=\"hostwatch\"" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: APIJSON.error(message))))
    }
}
