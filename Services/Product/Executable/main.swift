import ProductService
import ServiceKit

await ServiceMain.run(productDescriptor, build: buildProductService)
