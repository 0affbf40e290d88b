// swift-tools-version:6.0
import PackageDescription

/// Settings every Swift target shares: Swift 6 mode (strict concurrency) and explicit `any`.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "hostwatch",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "hostwatch", targets: ["hostwatch"]),
        .executable(name: "hostwatch-bench", targets: ["hostwatch-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CZlib",
            path: "Sources/CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .systemLibrary(
            name: "CPCRE2",
            path: "Sources/CPCRE2",
            pkgConfig: "libpcre2-8",
            providers: [.apt(["libpcre2-dev"])]
        ),
        .target(name: "DomainMatch", swiftSettings: swiftSettings),
        .target(name: "SeededRandom", swiftSettings: swiftSettings),
        .target(name: "LogParsing", dependencies: ["CPCRE2", "DomainMatch"], swiftSettings: swiftSettings),
        .target(name: "LogTailing", dependencies: ["CZlib"], swiftSettings: swiftSettings),
        .target(name: "Watchlist", dependencies: ["DomainMatch"], swiftSettings: swiftSettings),
        .target(
            name: "Agent",
            dependencies: ["DomainMatch", "LogParsing", "LogTailing", "Watchlist"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "hostwatch",
            dependencies: ["Agent", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "hostwatch-bench",
            dependencies: ["Agent", "DomainMatch", "LogParsing", "LogTailing", "Watchlist", "SeededRandom"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "DomainMatchTests", dependencies: ["DomainMatch", "SeededRandom"], swiftSettings: swiftSettings),
        .testTarget(
            name: "LogParsingTests",
            dependencies: ["LogParsing", "DomainMatch"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "LogTailingTests", dependencies: ["LogTailing", "SeededRandom"], swiftSettings: swiftSettings),
        .testTarget(name: "WatchlistTests", dependencies: ["Watchlist", "DomainMatch", "SeededRandom"], swiftSettings: swiftSettings),
        .testTarget(
            name: "AgentTests",
            dependencies: ["Agent", "hostwatch", "Watchlist", "LogParsing", "DomainMatch", "SeededRandom"],
            swiftSettings: swiftSettings
        ),
    ]
)
