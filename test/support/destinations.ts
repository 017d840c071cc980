export { type Answer, type ReceivedDelivery, TestDestination, verifyStandardSignature } from "@hookstream/testing";
