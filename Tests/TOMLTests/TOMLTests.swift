import Testing
@testable import TOML

@Suite struct TOMLPlaceholderTests {
    @Test func moduleExists() { #expect(Bool(true)) }
}
