// The build stamp `bingo version` prints, in the real binary's format.
export const BUILD_STAMP = "20231121T1537";
