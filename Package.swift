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
        .executable(name: "hostwatch-latency", targets: ["hostwatch-latency"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
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
        .target(name: "LogParsing", dependencies: ["CPCRE2", "DomainMatch", "TOML"], swiftSettings: swiftSettings),
        .target(name: "LogTailing", dependencies: ["CZlib"], swiftSettings: swiftSettings),
        .target(name: "TOML", swiftSettings: swiftSettings),
        .target(name: "Watchlist", dependencies: ["DomainMatch"], swiftSettings: swiftSettings),
        .target(name: "BlockRules", dependencies: ["Watchlist", "DomainMatch"], swiftSettings: swiftSettings),
        .target(
            name: "VisitIndex",
            dependencies: [.product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift")],
            swiftSettings: swiftSettings),
        .target(
            name: "Agent",
            dependencies: [
                "DomainMatch", "LogParsing", "LogTailing", "Watchlist", "BlockRules", "VisitIndex", "TOML",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "hostwatch",
            dependencies: [
                "Agent", "BlockRules", "Watchlist", "VisitIndex", "DomainMatch",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "hostwatch-bench",
            dependencies: ["Agent", "DomainMatch", "LogParsing", "LogTailing", "Watchlist", "BlockRules", "VisitIndex", "SeededRandom"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(name: "hostwatch-latency", swiftSettings: swiftSettings),
        .testTarget(name: "DomainMatchTests", dependencies: ["DomainMatch", "SeededRandom"], swiftSettings: swiftSettings),
        .testTarget(
            name: "LogParsingTests",
            dependencies: ["LogParsing", "DomainMatch", "SeededRandom"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "LogTailingTests", dependencies: ["LogTailing", "SeededRandom"], swiftSettings: swiftSettings),
        .testTarget(name: "TOMLTests", dependencies: ["TOML"], swiftSettings: swiftSettings),
        .testTarget(name: "WatchlistTests", dependencies: ["Watchlist", "DomainMatch", "SeededRandom"], swiftSettings: swiftSettings),
        .testTarget(name: "VisitIndexTests", dependencies: ["VisitIndex", "SeededRandom"], swiftSettings: swiftSettings),
        .testTarget(
            name: "BlockRulesTests",
            dependencies: ["BlockRules", "Watchlist", "DomainMatch", "SeededRandom"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AgentTests",
            dependencies: ["Agent", "hostwatch", "Watchlist", "BlockRules", "VisitIndex", "LogParsing", "DomainMatch", "SeededRandom"],
            swiftSettings: swiftSettings
        ),
    ]
)
