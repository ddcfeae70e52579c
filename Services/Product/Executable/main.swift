import ProductService
import ServiceKit

await ServiceMain.run(ServiceManifest.product, build: buildProductService)
