import Glibc

/// A value guarded by a pthread mutex, with a condition variable to sleep on until it changes.
public final class ConditionLock<Value>: @unchecked Sendable {
    private var value: Value
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    public init(_ value: Value) {
        self.value = value
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    public func withLock<Result>(_ body: (inout Value) -> Result) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body(&value)
    }

    /// Sleeps until `body` returns a result, re-checking after every signal.
    public func wait<Result>(until body: (inout Value) -> Result?) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while true {
            if let result = body(&value) { return result }
            pthread_cond_wait(condition, mutex)
        }
    }

    public func signal() { pthread_cond_signal(condition) }
    public func broadcast() { pthread_cond_broadcast(condition) }
}

/// Starts a detached, named OS thread (names are cut to the 15 bytes Linux keeps).
public func startThread(named name: String, _ body: @escaping @Sendable () -> Void) {
    final class Body { let run: @Sendable () -> Void; init(_ run: @escaping @Sendable () -> Void) { self.run = run } }
    let named: @Sendable () -> Void = {
        // pthread_setname_np is not visible to Swift; the kernel takes the name here as well.
        let comm = open("/proc/thread-self/comm", O_WRONLY)
        if comm >= 0 {
            let bytes = Array(name.utf8.prefix(15))
            _ = bytes.withUnsafeBytes { Glibc.write(comm, $0.baseAddress, $0.count) }
            close(comm)
        }
        body()
    }
    let context = Unmanaged.passRetained(Body(named)).toOpaque()
    var thread = pthread_t()
    let started = pthread_create(&thread, nil, { context in
        Unmanaged<Body>.fromOpaque(context!).takeRetainedValue().run()
        return nil
    }, context)
    precondition(started == 0, "pthread_create failed: \(started)")
    pthread_detach(thread)
}
