import PlatformCore

extension PageRequest {
    /// The paging of a list RPC; zeros (fields left unset) take the defaults.
    public init(_ message: Platform_Common_V1_PageRequest) throws(AppError) {
        try self.init(page: message.page == 0 ? nil : Int(message.page), size: message.pageSize == 0 ? nil : Int(message.pageSize))
    }
}

extension Platform_Common_V1_PageRequest {
    public init(_ request: PageRequest) {
        self.init()
        page = Int32(request.page)
        pageSize = Int32(request.size)
    }
}

extension Platform_Common_V1_PageInfo {
    public init<Item>(_ page: Page<Item>) {
        self.init()
        self.page = Int32(page.request.page)
        pageSize = Int32(page.request.size)
        total = Int64(page.total)
    }
}
