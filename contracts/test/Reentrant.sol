// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice Test helper: a receiver that tries to call back into the payer when paid.
contract Reentrant {
    address public target;
    bytes public reenterData;
    bool public attempted;
    bool public reentered;
    bool public refuse;

    function setReentry(address target_, bytes calldata data) external {
        target = target_;
        reenterData = data;
        attempted = false;
        reentered = false;
    }

    function setRefuse(bool refuse_) external {
        refuse = refuse_;
    }

    function exec(address to, bytes calldata data) external payable returns (bytes memory) {
        (bool ok, bytes memory ret) = to.call{value: msg.value}(data);
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
        return ret;
    }

    function onERC721Received(address, address, uint256, bytes calldata) external pure returns (bytes4) {
        return this.onERC721Received.selector;
    }

    receive() external payable {
        if (refuse) revert("refused");
        if (target != address(0) && !attempted) {
            attempted = true;
            (bool ok,) = target.call(reenterData);
            reentered = ok;
        }
    }
}
