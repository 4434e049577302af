// placeholder, replaced below
import { defineCommand } from "../command.js";
export default defineCommand({ name: "bootstrap", description: "x", usage: "bootstrap <cluster>" });
