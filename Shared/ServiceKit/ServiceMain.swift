import Foundation
import PlatformConfig
import PlatformLogging

/// The whole body of every service executable: configure logging, build, serve.
/// A configuration error is printed with the variable's name and exits with status 2.
public enum ServiceMain {
    public static func run(
        _ descriptor: ServiceDescriptor, build: @Sendable (ServiceSettings) async throws -> ServiceRuntime
    ) async {
        let config = ConfigReader()
        let settings: ServiceSettings
        do {
            settings = try ServiceSettings(descriptor, config: config)
        } catch {
            FileHandle.standardError.write(Data("\(descriptor.name): \(error)\n".utf8))
            exit(2)
        }
        PlatformLogging.bootstrap(service: descriptor.name, level: settings.logLevel)
        do {
            let runtime = try await build(settings)
            try await runtime.run()
        } catch let error as ConfigError {
            FileHandle.standardError.write(Data("\(descriptor.name): \(error)\n".utf8))
            exit(2)
        } catch {
            FileHandle.standardError.write(Data("\(descriptor.name): stopped by error: \(error)\n".utf8))
            exit(1)
        }
    }
}
