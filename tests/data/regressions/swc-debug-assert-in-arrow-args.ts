// Minimised from a cargo-fuzz crash: trips a debug assertion inside swc's parser.
export const first = (open: number[]) => [...open].sort((a, b() => a - b)[0];
