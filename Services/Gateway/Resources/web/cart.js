// The customer's cart, kept in this browser across reloads (never anything secret).
const key = "cart";

export function cart() {
  return JSON.parse(localStorage.getItem(key) ?? '{"items":{},"location_id":""}');
}

function save(value) { localStorage.setItem(key, JSON.stringify(value)); }

export function add(product, quantity = 1) {
  const value = cart();
  const line = value.items[product.id] ?? { name: product.name, price_cents: product.price_cents, currency: product.currency, quantity: 0 };
  line.quantity = Math.min(99, line.quantity + quantity);
  value.items[product.id] = line;
  save(value);
}

export function setQuantity(productID, quantity) {
  const value = cart();
  if (quantity <= 0) delete value.items[productID];
  else if (value.items[productID]) value.items[productID].quantity = Math.min(99, quantity);
  save(value);
}

export function setLocation(locationID) {
  const value = cart();
  value.location_id = locationID;
  save(value);
}

export function clear() { save({ items: {}, location_id: cart().location_id }); }

export function count() { return Object.values(cart().items).reduce((sum, line) => sum + line.quantity, 0); }
