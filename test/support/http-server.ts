export { listenWithBodies, type TestHttpServer } from "@hookstream/testing";
