import MediaService
import Testing

@Suite("Image inspector")
struct ImageInspectorTests {
    @Test(arguments: [
        (ImageFixtures.png, ImageFormat.png, 3, 2), (ImageFixtures.jpeg, .jpeg, 3, 2), (ImageFixtures.gif, .gif, 3, 2),
        (ImageFixtures.webpLossy, .webp, 3, 2), (ImageFixtures.webpLossless, .webp, 3, 2), (ImageFixtures.webpExtended, .webp, 5, 4),
    ])
    func theBytesTellTheTypeAndSize(bytes: [UInt8], format: ImageFormat, width: Int, height: Int) {
        #expect(ImageInspector.inspect(bytes) == ImageHeader(format: format, width: width, height: height))
    }

    @Test func anythingElseIsNotAnImage() {
        #expect(ImageInspector.inspect(ImageFixtures.text) == nil)
        #expect(ImageInspector.inspect(Array(ImageFixtures.png.prefix(20))) == nil)  // cut before the size
        #expect(ImageInspector.inspect(Array(ImageFixtures.jpeg.prefix(100))) == nil)  // no frame header yet
        #expect(ImageInspector.inspect([]) == nil)
    }
}
