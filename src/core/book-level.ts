/**
 * One price level of an order book, the one shape every layer uses (venue books, the monitors'
 * ladders, signal inputs, paper fills, the simulators): YES-side price in [0,1] and size in
 * contracts. A side of a book is a `BookLevel[]`, best first.
 */
export type BookLevel = readonly [price: number, size: number];
