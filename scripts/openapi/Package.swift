// swift-tools-version:6.1
import PackageDescription

// Builds swift-openapi-generator for scripts/gen-openapi, apart from the platform's own package so
// a normal build never compiles the generator (OpenAPIKit, Yams and the argument parser with it).
let package = Package(
    name: "openapi-tools",
    dependencies: [.package(url: "https://github.com/apple/swift-openapi-generator.git", exact: "1.14.3")],
    targets: []
)
