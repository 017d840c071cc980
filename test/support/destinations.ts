export { type Answer, type ReceivedDelivery, TestDestination } from "@hookstream/testing";
