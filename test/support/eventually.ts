export { sleep, waitUntil as eventually } from "@hookstream/testing";
